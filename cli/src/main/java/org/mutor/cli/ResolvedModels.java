package org.mutor.cli;

import ai.djl.Device;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;

import org.mutor.generator.gpt.GptLoader;
import org.mutor.generator.gpt.GptModel;
import org.mutor.generator.gpt.GptWeights;
import org.mutor.generator.models.ModelHome;
import org.mutor.tokenizer.VqModel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The GPT and tokenizer a generate run uses: the ones given on the command line, the
 * bundled default model, or LlamaGen's official ImageNet files in the user's models
 * folder.
 */
record ResolvedModels(GptModel gpt, VqModel vq, double recommendedCfg) {

    /** Guidance scale behind LlamaGen's published GPT-B/L numbers. */
    static final double DEFAULT_CFG = 2.0;

    static ResolvedModels resolve(GptOptions gptOptions, VqOptions vqOptions, int[] classes, Device device)
            throws IOException {
        if (gptOptions.gpt != null) {
            GptModel gpt = gptOptions.load(device);
            try {
                VqModel vq = vqOptions.vq != null ? vqOptions.load(device) : null;
                return new ResolvedModels(gpt, vq, DEFAULT_CFG);
            } catch (IOException | RuntimeException e) {
                gpt.close();
                throw e;
            }
        }
        Path bundled = ModelHome.bundledDefault();
        JsonObject info = bundled != null ? readInfo(bundled.resolve("model.json")) : null;
        int bundledClasses = info != null && info.has("num_classes") ? info.get("num_classes").getAsInt() : 0;
        boolean fitsBundled = bundled != null && allBelow(classes, bundledClasses);
        if (!fitsBundled && ModelHome.hasImageNetModels()) {
            Path home = ModelHome.userModels();
            GptLoader.Request request = new GptLoader.Request(null, 256, 16, false, GptWeights.RegisterPolicy.SKIP);
            GptModel gpt = GptLoader.load(home.resolve(ModelHome.IMAGENET_GPT), request, device);
            try {
                return new ResolvedModels(gpt, VqOptions.load(home.resolve(ModelHome.IMAGENET_VQ), null, false, device),
                        DEFAULT_CFG);
            } catch (IOException | RuntimeException e) {
                gpt.close();
                throw e;
            }
        }
        if (bundled == null) {
            throw new IllegalArgumentException("no model given and no default model is bundled in this checkout "
                    + "(models/default is missing); to sample ImageNet classes, " + ModelHome.imageNetInstructions());
        }
        if (!fitsBundled) {
            String name = info.has("dataset") ? info.get("dataset").getAsString() : "the bundled";
            throw new IllegalArgumentException("the default model is a " + name + " model with classes 0-"
                    + (bundledClasses - 1) + "; for ImageNet classes, " + ModelHome.imageNetInstructions());
        }
        GptLoader.Request request = GptLoader.Request.forSampling();
        GptModel gpt = GptLoader.load(bundled.resolve("gpt.safetensors"), request, device);
        try {
            VqModel vq = VqOptions.load(bundled.resolve("vq.safetensors"), null, false, device);
            double cfg = info.has("cfg") ? info.get("cfg").getAsDouble() : DEFAULT_CFG;
            return new ResolvedModels(gpt, vq, cfg);
        } catch (IOException | RuntimeException e) {
            gpt.close();
            throw e;
        }
    }

    private static boolean allBelow(int[] classes, int limit) {
        for (int c : classes) {
            if (c >= limit) {
                return false;
            }
        }
        return true;
    }

    private static JsonObject readInfo(Path file) throws IOException {
        return Files.isRegularFile(file) ? JsonParser.parseString(Files.readString(file)).getAsJsonObject() : new JsonObject();
    }
}
