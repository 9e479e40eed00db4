package org.mutor.eval;

import java.util.Locale;

/**
 * Scores of one evaluation; a field is null when the inputs do not allow it (no
 * images on the samples side for IS, no spatial statistics for sFID, no reference
 * images for precision/recall).
 *
 * @param features extractor name, {@code inception} or {@code fmnist}
 * @param sampleCount images read from the samples side, 0 when it was a statistics file
 * @param isSplits number of IS splits, 0 when IS is null
 */
public record EvalResult(String features, long sampleCount, Double fid, Double sfid, Double inceptionScore,
                         Double inceptionScoreStd, int isSplits, Double precision, Double recall) {

    /** A plain-text table, one metric per line, in the order papers report them. */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%-16s %s%n", "features", features));
        sb.append(String.format(Locale.ROOT, "%-16s %d%n", "samples", sampleCount));
        row(sb, "FID", fid, "%.4f");
        row(sb, "sFID", sfid, "%.4f");
        if (inceptionScore != null) {
            sb.append(String.format(Locale.ROOT, "%-16s %.4f +- %.4f (%d splits)%n", "Inception Score",
                    inceptionScore, inceptionScoreStd, isSplits));
        } else {
            row(sb, "Inception Score", null, "");
        }
        row(sb, "Precision", precision, "%.4f");
        row(sb, "Recall", recall, "%.4f");
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, Double value, String format) {
        sb.append(String.format(Locale.ROOT, "%-16s %s%n", name,
                value == null ? "n/a" : String.format(Locale.ROOT, format, value)));
    }
}
