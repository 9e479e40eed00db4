package org.mutor.common.train;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.mutor.common.format.AtomicFiles;
import org.mutor.common.format.FormatException;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Training metrics as CSV: a header {@code step,COLUMN...} and one row per logged step,
 * appended and flushed at once so a crash loses nothing. Resuming drops the rows at or
 * after the resumed step, so replayed steps are not logged twice. {@link #plot} draws
 * chosen columns against the step into a PNG.
 */
public final class MetricsLog implements AutoCloseable {

    private final List<String> columns;
    private final BufferedWriter writer;

    private MetricsLog(List<String> columns, BufferedWriter writer) {
        this.columns = columns;
        this.writer = writer;
    }

    /** Starts a new log, replacing any file at {@code csv}. */
    public static MetricsLog create(Path csv, List<String> columns) throws IOException {
        checkColumns(columns);
        AtomicFiles.writeBytes(csv, (header(columns) + "\n").getBytes(StandardCharsets.UTF_8));
        return append(csv, columns);
    }

    /**
     * Continues the log of a resumed run whose next step is {@code nextStep}: rows with a
     * step of {@code nextStep} or more are dropped. Without a file, starts a new log.
     *
     * @throws FormatException when the file's header differs from {@code columns}
     */
    public static MetricsLog resume(Path csv, List<String> columns, long nextStep) throws IOException {
        checkColumns(columns);
        if (!Files.exists(csv)) {
            return create(csv, columns);
        }
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !lines.get(0).equals(header(columns))) {
            throw new FormatException(csv + ": header '" + (lines.isEmpty() ? "" : lines.get(0))
                    + "' differs from '" + header(columns) + "'; log to a new file or use the same columns");
        }
        StringBuilder kept = new StringBuilder(lines.get(0)).append('\n');
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isEmpty()) {
                continue;
            }
            int comma = line.indexOf(',');
            long step;
            try {
                step = Long.parseLong(comma < 0 ? line : line.substring(0, comma));
            } catch (NumberFormatException e) {
                throw new FormatException(csv + ": line " + (i + 1) + " does not start with a step number");
            }
            if (step < nextStep) {
                kept.append(line).append('\n');
            }
        }
        AtomicFiles.writeBytes(csv, kept.toString().getBytes(StandardCharsets.UTF_8));
        return append(csv, columns);
    }

    private static MetricsLog append(Path csv, List<String> columns) throws IOException {
        return new MetricsLog(List.copyOf(columns), Files.newBufferedWriter(csv, StandardCharsets.UTF_8,
                StandardOpenOption.APPEND));
    }

    private static void checkColumns(List<String> columns) {
        if (columns.isEmpty()) {
            throw new IllegalArgumentException("a metrics log needs at least one column besides the step");
        }
        for (String c : columns) {
            if (c.isEmpty() || c.contains(",") || c.contains("\n") || c.equals("step")) {
                throw new IllegalArgumentException("invalid metrics column name '" + c
                        + "'; use a non-empty name without commas or newlines, other than 'step'");
            }
        }
    }

    private static String header(List<String> columns) {
        return "step," + String.join(",", columns);
    }

    public List<String> columns() {
        return columns;
    }

    /** Appends one row, values in column order, and flushes it. */
    public void log(long step, double... values) throws IOException {
        if (values.length != columns.size()) {
            throw new IllegalArgumentException(values.length + " values given for " + columns.size()
                    + " columns " + columns + "; pass one value per column");
        }
        StringBuilder row = new StringBuilder().append(step);
        for (double v : values) {
            row.append(',').append(v);
        }
        writer.write(row.append('\n').toString());
        writer.flush();
    }

    @Override
    public void close() throws IOException {
        writer.close();
    }

    /** The header and rows of a metrics CSV; unparsable cells read as NaN. */
    public record Table(List<String> header, List<double[]> rows) {

        /** Values of {@code column} in row order. */
        public double[] column(String name) {
            int index = header.indexOf(name);
            if (index < 0) {
                throw new IllegalArgumentException("no column '" + name + "' in " + header);
            }
            return rows.stream().mapToDouble(r -> index < r.length ? r[index] : Double.NaN).toArray();
        }
    }

    /** Reads a metrics CSV. */
    public static Table read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        if (lines.isEmpty()) {
            throw new FormatException(csv + ": empty metrics file; it has no header");
        }
        List<double[]> rows = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (!line.isEmpty()) {
                rows.add(Arrays.stream(line.split(",", -1)).mapToDouble(MetricsLog::parse).toArray());
            }
        }
        return new Table(List.of(lines.get(0).split(",", -1)), rows);
    }

    private static double parse(String cell) {
        try {
            return Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    /** Draws {@code columns} of {@code csv} against the step into an 800 x 500 PNG. */
    public static void plot(Path csv, Path png, String... columns) throws IOException {
        plot(csv, png, 800, 500, columns);
    }

    /**
     * Draws {@code columns} of {@code csv} against the step into a PNG of the given size,
     * written atomically. Non-finite values are left out. Rendering is headless.
     */
    public static void plot(Path csv, Path png, int width, int height, String... columns) throws IOException {
        if (columns.length == 0) {
            throw new IllegalArgumentException("no columns to plot; name at least one column of " + csv);
        }
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        Table table = read(csv);
        double[] steps = table.column("step");
        XYChart chart = new XYChartBuilder().width(width).height(height)
                .title(csv.getFileName().toString()).xAxisTitle("step").yAxisTitle(String.join(", ", columns)).build();
        for (String name : columns) {
            double[] values = table.column(name);
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (int i = 0; i < values.length; i++) {
                if (Double.isFinite(values[i]) && Double.isFinite(steps[i])) {
                    x.add(steps[i]);
                    y.add(values[i]);
                }
            }
            if (x.isEmpty()) {
                x.add(0.0);
                y.add(0.0); // XChart rejects an empty series; a lone point keeps the legend.
            }
            chart.addSeries(name, x, y).setMarker(SeriesMarkers.NONE);
        }
        AtomicFiles.writeBytes(png, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    }
}
