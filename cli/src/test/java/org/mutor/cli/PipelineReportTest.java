package org.mutor.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.format.Checkpoint;
import org.mutor.common.tensor.HostTensor;
import org.mutor.generator.train.GptTrainer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

class PipelineReportTest {

    private static PipelineReport.Run run(Path dir, String method, int seed) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("metrics.csv"), String.join("\n",
                "step,ntp_loss,reg_loss,loss,lr,grad_norm,tokens_per_s,val_nll",
                "10,3.0,0.0,3.0,0.001,1.0,100.0,NaN",
                "20,2.9,0.0,2.9,0.001,1.0,100.0,2.8",
                "30,2.8,0.0,2.8,0.001,1.0,100.0,NaN",
                "40,2.7,0.0,2.7,0.001,1.0,100.0,2.6",
                "50,2.7,0.0,2.7,0.001,1.0,100.0,2.65", ""));
        JsonObject meta = new JsonObject();
        meta.addProperty("step", 50);
        meta.addProperty(GptTrainer.TRAIN_SECONDS, 20.0);
        Checkpoint.save(dir.resolve("model.safetensors"), Map.of("w", HostTensor.ofFloats(new long[] {1}, new float[] {1})),
                meta);
        return new PipelineReport.Run(method, seed, dir, 128, 1e12);
    }

    @Test
    void trainingFactsFromRunFolder(@TempDir Path tmp) throws IOException {
        JsonObject facts = PipelineReport.training(run(tmp.resolve("ntp-seed0"), "ntp", 0));
        assertEquals(50, facts.get("steps").getAsLong());
        assertEquals(20.0, facts.get("train_seconds").getAsDouble());
        assertEquals(50 * 128 / 20.0, facts.get("image_tokens_per_s").getAsDouble(), 1e-9);
        assertEquals(0.05, facts.get("train_pflops").getAsDouble(), 1e-12);
        assertEquals(2.65, facts.get("val_nll").getAsDouble(), "last validation");
        assertEquals(2.6, facts.get("val_nll_min").getAsDouble(), "lowest validation");
    }

    @Test
    void validationCurveSkipsRowsWithout(@TempDir Path tmp) throws IOException {
        double[][] curve = PipelineReport.validationCurve(run(tmp, "ntp", 0).dir());
        assertArrayEquals(new double[] {20, 40, 50}, curve[0]);
        assertArrayEquals(new double[] {2.8, 2.6, 2.65}, curve[1]);
    }

    @Test
    void plotsWriteBothCharts(@TempDir Path tmp) throws IOException {
        List<PipelineReport.Run> runs = List.of(run(tmp.resolve("a"), "ntp", 0), run(tmp.resolve("b"), "mutor-2d", 1));
        PipelineReport.plotValidation(runs, tmp.resolve("steps.png"), false);
        PipelineReport.plotValidation(runs, tmp.resolve("compute.png"), true);
        assertTrue(Files.size(tmp.resolve("steps.png")) > 1000);
        assertTrue(Files.size(tmp.resolve("compute.png")) > 1000);
    }
}
