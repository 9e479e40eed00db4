package org.mutor.generator.models;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where models are found without explicit paths: the models folder of the user
 * ({@code $MUTOR_HOME}, default {@code ~/.cache/mutor}) for official checkpoints, and
 * the default model bundled with this repository.
 */
public final class ModelHome {

    /** LlamaGen's official class-conditional GPT-B at 256 px. */
    public static final String IMAGENET_GPT = "c2i_B_256.pt";
    /** LlamaGen's official VQ-16 tokenizer. */
    public static final String IMAGENET_VQ = "vq_ds16_c2i.pt";
    /** Where the official files are published. */
    public static final String IMAGENET_SOURCE = "https://huggingface.co/FoundationVision/LlamaGen";

    /** System property the launcher sets to the repository's bundled models folder. */
    public static final String BUNDLED_PROPERTY = "mutor.bundled.models";

    private ModelHome() {
    }

    /** The user's models folder: $MUTOR_HOME, else ~/.cache/mutor. */
    public static Path userModels() {
        String home = System.getenv("MUTOR_HOME");
        if (home != null && !home.isBlank()) {
            return Path.of(home);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "mutor");
    }

    /** The bundled default model's folder, or null when this checkout has none. */
    public static Path bundledDefault() {
        String configured = System.getProperty(BUNDLED_PROPERTY);
        Path root = configured != null ? Path.of(configured) : findUpwards(Path.of("").toAbsolutePath());
        if (root == null) {
            return null;
        }
        Path folder = root.resolve("default");
        return Files.isRegularFile(folder.resolve("gpt.safetensors")) && Files.isRegularFile(folder.resolve("vq.safetensors"))
                ? folder : null;
    }

    private static Path findUpwards(Path start) {
        for (Path p = start; p != null; p = p.getParent()) {
            Path candidate = p.resolve("models");
            if (Files.isDirectory(candidate.resolve("default"))) {
                return candidate;
            }
        }
        return null;
    }

    /** True when both official ImageNet files are in the user's models folder. */
    public static boolean hasImageNetModels() {
        Path dir = userModels();
        return Files.isRegularFile(dir.resolve(IMAGENET_GPT)) && Files.isRegularFile(dir.resolve(IMAGENET_VQ));
    }

    /** One-line instructions for getting the official ImageNet models. */
    public static String imageNetInstructions() {
        return "download " + IMAGENET_GPT + " and " + IMAGENET_VQ + " from " + IMAGENET_SOURCE + " into "
                + userModels() + " (set MUTOR_HOME to use another folder), or pass --gpt CKPT --vq CKPT";
    }
}
