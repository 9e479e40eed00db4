package org.mutor.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

import org.junit.jupiter.api.Test;

import java.util.List;

class PipelineSummaryTest {

    private static JsonObject seed(double fid, double agreement, double valNll, double seconds) {
        JsonObject s = new JsonObject();
        s.addProperty("fid", fid);
        s.addProperty("is", 4.0);
        s.addProperty("precision", 0.7);
        s.addProperty("recall", 0.5);
        s.addProperty("agreement", agreement);
        JsonArray perClass = new JsonArray();
        perClass.add(agreement);
        perClass.add(1.0);
        s.add("agreement_per_class", perClass);
        JsonObject training = new JsonObject();
        training.addProperty("steps", 3000);
        training.addProperty("val_nll", valNll);
        training.addProperty("train_seconds", seconds);
        s.add("training", training);
        return s;
    }

    private static JsonObject method(JsonObject... seeds) {
        JsonObject m = new JsonObject();
        for (int i = 0; i < seeds.length; i++) {
            m.add(Integer.toString(i), seeds[i]);
        }
        return m;
    }

    @Test
    void comparesAgainstMutorWithSeedRanges() {
        JsonObject summary = new JsonObject();
        summary.add("ntp", method(seed(10.0, 0.80, 2.70, 1000), seed(11.0, 0.82, 2.71, 1010),
                seed(12.0, 0.84, 2.72, 990)));
        // FID ranges 8-9 against 10-12: separated; agreement 0.81-0.83 overlaps 0.80-0.84.
        summary.add("mutor-2d", method(seed(8.0, 0.81, 2.75, 1300), seed(9.0, 0.83, 2.76, 1310),
                seed(8.5, 0.82, 2.77, 1290)));
        String md = PipelineSummary.markdown(summary);
        assertTrue(md.contains("| ntp | 3 | 11.000 +- 1.000 |"), md);
        assertTrue(md.contains("- FID: -2.500 (better for mutor-2d); exceeds the spread"), md);
        assertTrue(md.contains("- classifier agreement: +0.000 (worse for mutor-2d); within the spread")
                || md.contains("- classifier agreement: -0.000"), md);
        assertTrue(md.contains("- val NLL: +0.050 (worse for mutor-2d); exceeds the spread"), md);
        assertTrue(md.contains("| 1000 +- 10 |"), "training time rounded to seconds: " + md);
        assertTrue(md.contains("| mutor-2d | 0.82 | 1.00 |"), "per-class agreement: " + md);
    }

    @Test
    void oneSeedHasNoSpread() {
        assertEquals("2.500", PipelineSummary.meanStd(List.of(2.5)));
        assertEquals("2.000 +- 1.000", PipelineSummary.meanStd(List.of(1.0, 2.0, 3.0)));
        assertEquals("-", PipelineSummary.meanStd(List.of()));
    }
}
