package org.mutor.tokenizer.codes;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.data.CodeShards;
import org.mutor.common.data.FashionMnist;
import org.mutor.common.engine.EngineSetup;
import org.mutor.common.format.FormatException;
import org.mutor.common.image.CenterCrops;
import org.mutor.common.image.ImageBatches;
import org.mutor.common.image.ImageFiles;
import org.mutor.common.image.RgbImage;
import org.mutor.tokenizer.VqConfig;
import org.mutor.tokenizer.VqModel;
import org.mutor.tokenizer.VqWeights;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Code extraction into shards, read back with {@link CodeShards}. */
class CodeExtractorTest {

    @BeforeAll
    static void offline() {
        EngineSetup.offline();
    }

    private static CodeExtractor.Options options(boolean flip, int shardSize) {
        return new CodeExtractor.Options(32, false, flip, 3, 0, shardSize, "tiny seed 1");
    }

    /** Codes of each image's views, by VqModel.encode, row-major and view after view. */
    private static int[] expected(VqModel model, List<RgbImage> views) {
        try (NDManager m = model.manager().newSubManager()) {
            long[] codes = model.encode(ImageBatches.toBatch(m, views)).toLongArray();
            int[] out = new int[codes.length];
            for (int i = 0; i < codes.length; i++) {
                out[i] = (int) codes[i];
            }
            return out;
        }
    }

    @Test
    void folderShardsHoldLabelsAndEncodedCodesAndSkipCorruptImages(@TempDir Path dir) throws IOException {
        // Seven real Fashion-MNIST images, upscaled to 40x36 so the ADM crop has work to do, and one corrupt file.
        FashionMnist.Split split = FashionMnist.train();
        Path data = dir.resolve("data");
        List<RgbImage> inOrder = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int label = 0; label < 2; label++) {
            Files.createDirectories(data.resolve("class" + label));
        }
        for (int i = 0; i < 7; i++) {
            RgbImage image = org.mutor.common.image.PillowResize.resize(split.tokenizerImage(i), 40, 36,
                    org.mutor.common.image.PillowResize.Filter.BICUBIC);
            ImageFiles.write(data.resolve("class" + (i % 2)).resolve(String.format("%02d.png", i)), image);
        }
        Files.write(data.resolve("class0/03a-broken.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
        for (int label = 0; label < 2; label++) {
            for (int i = label; i < 7; i += 2) {
                inOrder.add(ImageFiles.read(data.resolve("class" + label).resolve(String.format("%02d.png", i))));
                labels.add(label);
            }
        }
        try (VqModel model = VqWeights.initialize(VqConfig.preset("vq-tiny"), Device.cpu(), 1)) {
            Path out = dir.resolve("codes");
            CodeExtractor.Summary summary;
            try (ImageSource source = ImageSource.open(data.toString())) {
                summary = CodeExtractor.extract(model, source, out, options(true, 3), null);
            }
            assertEquals(7, summary.written());
            assertEquals(1, summary.skipped());
            CodeShards shards = CodeShards.open(out);
            assertEquals(7, shards.size());
            assertEquals(2, shards.crops());
            assertEquals(16, shards.gridHeight());
            for (int i = 0; i < 7; i++) {
                RgbImage crop = CenterCrops.adm(inOrder.get(i), 32);
                int[] want = expected(model, List.of(crop, CenterCrops.flipHorizontal(crop)));
                assertEquals(labels.get(i), shards.label(i));
                int tokens = shards.tokens();
                assertArrayEquals(java.util.Arrays.copyOfRange(want, 0, tokens), shards.codes(i, 0), "image " + i);
                assertArrayEquals(java.util.Arrays.copyOfRange(want, tokens, 2 * tokens), shards.codes(i, 1));
            }

            // An interrupted run: the last (partial) shard and meta.json are gone. The re-run keeps the two
            // complete shards and writes the same folder again.
            Files.delete(out.resolve(CodeShards.META));
            Files.delete(out.resolve("labels-00002.npy"));
            byte[] shard1 = Files.readAllBytes(out.resolve("codes-00001.npy"));
            try (ImageSource source = ImageSource.open(data.toString())) {
                summary = CodeExtractor.extract(model, source, out, options(true, 3), null);
            }
            assertEquals(6, summary.kept());
            assertEquals(7, summary.written());
            CodeShards again = CodeShards.open(out);
            assertEquals(7, again.size());
            assertEquals(labels.get(6), again.label(6));
            assertArrayEquals(shards.codes(6, 1), again.codes(6, 1));
            assertArrayEquals(shard1, Files.readAllBytes(out.resolve("codes-00001.npy")));

            // Other settings into the same folder are refused.
            try (ImageSource source = ImageSource.open(data.toString())) {
                assertThrows(FormatException.class, () -> CodeExtractor.extract(model, source, out,
                        options(false, 3), null));
            }
        }
    }

    @Test
    void fashionMnistIsEncodedUncroppedWithALimit(@TempDir Path dir) throws IOException {
        FashionMnist.Split test = FashionMnist.test();
        try (VqModel model = VqWeights.initialize(VqConfig.preset("vq-tiny"), Device.cpu(), 2);
             ImageSource source = ImageSource.open("fmnist:test")) {
            CodeExtractor.Options limited = new CodeExtractor.Options(256, false, false, 2, 5, 4, "tiny seed 2");
            CodeExtractor.Summary s = CodeExtractor.extract(model, source, dir, limited, null);
            assertEquals(5, s.written());
            CodeShards shards = CodeShards.open(dir);
            assertEquals(5, shards.size());
            assertEquals(10, shards.numClasses());
            for (int i = 0; i < 5; i++) {
                assertEquals(test.label(i), shards.label(i));
                assertArrayEquals(expected(model, List.of(test.tokenizerImage(i))), shards.codes(i, 0));
            }
            assertThrows(IllegalArgumentException.class, () -> CodeExtractor.extract(model, source,
                    dir.resolve("ten"), new CodeExtractor.Options(32, true, false, 2, 5, 4, "x"), null));
        }
    }
}
