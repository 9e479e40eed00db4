package org.mutor.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders the pipeline's summary: per method, the mean and standard deviation over seeds of
 * the sample scores and training facts, then each method against MuToR-2D, then agreement per
 * class.
 */
final class PipelineSummary {

    /** A column: its key in a seed's scores (or in its "training" object), heading, and direction. */
    private record Metric(String key, boolean training, String heading, boolean lowerIsBetter) {
    }

    private static final List<Metric> METRICS = List.of(
            new Metric("fid", false, "FID", true),
            new Metric("is", false, "IS", false),
            new Metric("precision", false, "precision", false),
            new Metric("recall", false, "recall", false),
            new Metric("agreement", false, "classifier agreement", false),
            new Metric("val_nll", true, "val NLL", true));

    private static final List<Metric> COST = List.of(
            new Metric("steps", true, "steps", false),
            new Metric("train_pflops", true, "training PFLOPs", false),
            new Metric("train_seconds", true, "training time (s)", false),
            new Metric("image_tokens_per_s", true, "image tokens/s", false));

    /** The method the others are compared against. */
    static final String REFERENCE_METHOD = "mutor-2d";

    private PipelineSummary() {
    }

    /** @param summary method to seed to scores, each with an optional "training" object */
    static String markdown(JsonObject summary) {
        StringBuilder sb = new StringBuilder();
        table(sb, summary, METRICS);
        sb.append('\n');
        table(sb, summary, COST);
        sb.append("\nmean +- standard deviation over seeds (sample standard deviation, n - 1).\n");
        comparisons(sb, summary);
        agreementPerClass(sb, summary);
        return sb.toString();
    }

    private static void table(StringBuilder sb, JsonObject summary, List<Metric> metrics) {
        sb.append("| method | seeds |");
        StringBuilder rule = new StringBuilder("|---|---:|");
        for (Metric m : metrics) {
            sb.append(' ').append(m.heading()).append(" |");
            rule.append("---:|");
        }
        sb.append('\n').append(rule).append('\n');
        for (Map.Entry<String, JsonElement> method : summary.entrySet()) {
            JsonObject seeds = method.getValue().getAsJsonObject();
            sb.append("| ").append(method.getKey()).append(" | ").append(seeds.size());
            for (Metric m : metrics) {
                sb.append(" | ").append(meanStd(values(seeds, m)));
            }
            sb.append(" |\n");
        }
    }

    /**
     * Each method against MuToR-2D on every quality column: the difference of means and
     * whether it exceeds the spread, meaning that the seed ranges (min to max) do not overlap.
     */
    private static void comparisons(StringBuilder sb, JsonObject summary) {
        if (!summary.has(REFERENCE_METHOD)) {
            return;
        }
        JsonObject reference = summary.getAsJsonObject(REFERENCE_METHOD);
        for (Map.Entry<String, JsonElement> method : summary.entrySet()) {
            if (method.getKey().equals(REFERENCE_METHOD)) {
                continue;
            }
            JsonObject other = method.getValue().getAsJsonObject();
            sb.append("\n").append(REFERENCE_METHOD).append(" against ").append(method.getKey())
                    .append(" (difference of means; it exceeds the spread when the seed ranges do not overlap):\n\n");
            for (Metric m : METRICS) {
                List<Double> a = values(reference, m);
                List<Double> b = values(other, m);
                if (a.isEmpty() || b.isEmpty()) {
                    continue;
                }
                double diff = mean(a) - mean(b);
                boolean better = m.lowerIsBetter() ? diff < 0 : diff > 0;
                boolean separated = min(a) > max(b) || max(a) < min(b);
                sb.append(String.format(Locale.ROOT, "- %s: %+.3f (%s for %s); %s%n", m.heading(), diff,
                        better ? "better" : "worse", REFERENCE_METHOD,
                        separated ? "exceeds the spread" : "within the spread"));
            }
        }
    }

    private static void agreementPerClass(StringBuilder sb, JsonObject summary) {
        sb.append("\nClassifier agreement per class (mean over seeds):\n\n| method |");
        int classes = 0;
        for (Map.Entry<String, JsonElement> method : summary.entrySet()) {
            for (Map.Entry<String, JsonElement> seed : method.getValue().getAsJsonObject().entrySet()) {
                classes = Math.max(classes, seed.getValue().getAsJsonObject().getAsJsonArray("agreement_per_class")
                        .size());
            }
        }
        StringBuilder rule = new StringBuilder("|---|");
        for (int c = 0; c < classes; c++) {
            sb.append(' ').append(c).append(" |");
            rule.append("---:|");
        }
        sb.append('\n').append(rule).append('\n');
        for (Map.Entry<String, JsonElement> method : summary.entrySet()) {
            sb.append("| ").append(method.getKey());
            JsonObject seeds = method.getValue().getAsJsonObject();
            for (int c = 0; c < classes; c++) {
                List<Double> rates = new ArrayList<>();
                for (Map.Entry<String, JsonElement> seed : seeds.entrySet()) {
                    JsonArray perClass = seed.getValue().getAsJsonObject().getAsJsonArray("agreement_per_class");
                    rates.add(perClass.get(c).getAsDouble());
                }
                sb.append(String.format(Locale.ROOT, " | %.2f", mean(rates)));
            }
            sb.append(" |\n");
        }
    }

    private static List<Double> values(JsonObject seeds, Metric m) {
        List<Double> values = new ArrayList<>();
        for (Map.Entry<String, JsonElement> seed : seeds.entrySet()) {
            JsonObject scores = seed.getValue().getAsJsonObject();
            JsonObject source = m.training() ? scores.getAsJsonObject("training") : scores;
            if (source != null && source.has(m.key())) {
                values.add(source.get(m.key()).getAsDouble());
            }
        }
        return values;
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    private static double min(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    private static double max(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    static String meanStd(List<Double> values) {
        if (values.isEmpty()) {
            return "-";
        }
        double mean = mean(values);
        int digits = Math.abs(mean) >= 100 ? 0 : 3;
        if (values.size() < 2) {
            return String.format(Locale.ROOT, "%." + digits + "f", mean);
        }
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        return String.format(Locale.ROOT, "%." + digits + "f +- %." + digits + "f", mean,
                Math.sqrt(squares / (values.size() - 1)));
    }
}
