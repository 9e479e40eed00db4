package org.mutor.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders the pipeline's scores: one row per method with the mean and standard deviation over seeds. */
final class PipelineSummary {

    private static final String[] METRICS = {"fid", "is", "precision", "recall", "agreement"};

    private PipelineSummary() {
    }

    static String markdown(JsonObject summary) {
        StringBuilder sb = new StringBuilder();
        sb.append("| method | seeds | FID | IS | precision | recall | classifier agreement |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Map.Entry<String, JsonElement> method : summary.entrySet()) {
            JsonObject seeds = method.getValue().getAsJsonObject();
            sb.append("| ").append(method.getKey()).append(" | ").append(seeds.size());
            for (String metric : METRICS) {
                List<Double> values = new ArrayList<>();
                seeds.entrySet().forEach(e -> values.add(e.getValue().getAsJsonObject().get(metric).getAsDouble()));
                sb.append(" | ").append(meanStd(values));
            }
            sb.append(" |\n");
        }
        sb.append("\nmean +- standard deviation over seeds (sample standard deviation, n - 1).\n");
        return sb.toString();
    }

    static String meanStd(List<Double> values) {
        double mean = values.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        if (values.size() < 2) {
            return String.format(Locale.ROOT, "%.3f", mean);
        }
        double squares = 0;
        for (double v : values) {
            squares += (v - mean) * (v - mean);
        }
        return String.format(Locale.ROOT, "%.3f +- %.3f", mean, Math.sqrt(squares / (values.size() - 1)));
    }
}
