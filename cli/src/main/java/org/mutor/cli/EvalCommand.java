package org.mutor.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;

import org.mutor.common.format.AtomicFiles;
import org.mutor.eval.EvalOptions;
import org.mutor.eval.EvalResult;
import org.mutor.eval.Evaluator;
import org.mutor.eval.ReferenceStats;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code mutor eval}: FID, sFID, IS, precision and recall as the ADM evaluator computes them. */
@Command(name = "eval",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Score samples against a reference: FID, sFID, Inception Score, precision and recall (k = 3), "
                    + "computed as the ADM evaluator behind published ImageNet numbers does.",
            "Either side may be an ADM sample file (.npz with arr_0 uint8 [N, H, W, 3]), a folder of PNG/JPEG "
                    + "images, or a statistics file (.npz with mu, sigma and optionally mu_s, sigma_s, arr_0). "
                    + "Two statistics files give FID alone.",
            "Inception weights: --inception FILE, or pt_inception-2015-12-05-6726825d.pth (pytorch-fid) or "
                    + "weights-inception-2015-12-05-6726825d.pth (torch-fidelity) in $MUTOR_HOME "
                    + "(default ~/.cache/mutor)."
        },
        subcommands = {EvalCommand.Stats.class, AgreementCommand.class})
final class EvalCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--samples", paramLabel = "PATH", description = "Samples: .npz or image folder.")
    Path samples;

    @Option(names = "--ref", paramLabel = "PATH", description = "Reference: statistics .npz, ADM .npz or image folder.")
    Path reference;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the scores as JSON "
            + "(keys fid, sfid, is, is_std, precision, recall; those the inputs allow).")
    Path json;

    @Mixin
    FeatureOptions featureOptions;

    @Mixin
    CommonOptions common;

    @Override
    public Integer call() throws Exception {
        if (samples == null || reference == null) {
            throw new ParameterException(spec.commandLine(), "give --samples PATH and --ref PATH "
                    + "(or use 'mutor eval stats' to build a reference)");
        }
        common.startEngine();
        EvalResult result = Evaluator.evaluate(samples, reference, featureOptions.options());
        PrintWriter out = spec.commandLine().getOut();
        out.print(result.table());
        if (json != null) {
            AtomicFiles.writeBytes(json, toJson(result).getBytes(StandardCharsets.UTF_8));
            out.println("wrote " + json);
        }
        out.flush();
        return ExitCodes.OK;
    }

    static String toJson(EvalResult result) {
        JsonObject o = new JsonObject();
        o.addProperty("features", result.features());
        o.addProperty("samples", result.sampleCount());
        if (result.fid() != null) {
            o.addProperty("fid", result.fid());
        }
        if (result.sfid() != null) {
            o.addProperty("sfid", result.sfid());
        }
        if (result.inceptionScore() != null) {
            o.addProperty("is", result.inceptionScore());
            o.addProperty("is_std", result.inceptionScoreStd());
            o.addProperty("is_splits", result.isSplits());
        }
        if (result.precision() != null) {
            o.addProperty("precision", result.precision());
        }
        if (result.recall() != null) {
            o.addProperty("recall", result.recall());
        }
        return new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n";
    }

    /** Options that pick the feature network. */
    static final class FeatureOptions {

        @Option(names = "--features", defaultValue = "inception", paramLabel = "inception|fmnist",
                description = "Feature network: inception (the published protocol) or fmnist (this project's "
                        + "Fashion-MNIST classifier, bundled). Default: ${DEFAULT-VALUE}.")
        String features;

        @Option(names = "--inception", paramLabel = "FILE", description = "Inception weights file.")
        Path inception;

        @Option(names = "--batch-size", defaultValue = "50", paramLabel = "B",
                description = "Images per network call; scores do not depend on it. Default: ${DEFAULT-VALUE}.")
        int batchSize;

        @Option(names = "--is-split", defaultValue = "5000", paramLabel = "N",
                description = "Consecutive samples per Inception Score split. Default: ${DEFAULT-VALUE}.")
        int isSplit;

        @Option(names = "--no-precision-recall", description = "Skip precision and recall "
                + "(they hold every sample's features in memory).")
        boolean noPrecisionRecall;

        EvalOptions options() {
            return new EvalOptions(features, inception, batchSize, isSplit, !noPrecisionRecall);
        }
    }

    /** {@code mutor eval stats}: builds a reference statistics file. */
    @Command(name = "stats",
            mixinStandardHelpOptions = true,
            description = "Build a reference statistics file (mu, sigma, mu_s, sigma_s) from images, "
                    + "for example for reconstruction FID.")
    static final class Stats implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Option(names = "--images", required = true, paramLabel = "PATH",
                description = "Image folder or ADM .npz to summarise.")
        Path images;

        @Option(names = "--out", required = true, paramLabel = "FILE.npz", description = "Statistics file to write.")
        Path out;

        @Option(names = "--keep-features", description = "Also store every image's pool features "
                + "(needed for precision and recall against this reference).")
        boolean keepFeatures;

        @Mixin
        FeatureOptions featureOptions;

        @Mixin
        CommonOptions common;

        @Override
        public Integer call() throws Exception {
            common.startEngine();
            ReferenceStats.Summary summary = ReferenceStats.build(images, out, featureOptions.options(), keepFeatures);
            spec.commandLine().getOut().println("wrote " + summary.out() + " from " + summary.images() + " images ("
                    + summary.featureDim() + "-d features" + (summary.spatial() ? ", spatial statistics" : "")
                    + (summary.features() ? ", per-image features" : "") + ")");
            return ExitCodes.OK;
        }
    }
}
