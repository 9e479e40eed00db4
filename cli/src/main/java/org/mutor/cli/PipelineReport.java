package org.mutor.cli;

import com.google.gson.JsonObject;

import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.Marker;
import org.knowm.xchart.style.markers.SeriesMarkers;
import org.mutor.common.format.AtomicFiles;
import org.mutor.common.format.Checkpoint;
import org.mutor.common.train.MetricsLog;
import org.mutor.generator.train.GptTrainer;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Training facts of the pipeline's runs, read back from their folders, and the validation curves. */
final class PipelineReport {

    /**
     * One training run of the pipeline.
     *
     * @param tokensPerStep image tokens per optimizer step (batch size times block size)
     * @param flopsPerStep training FLOPs per optimizer step
     */
    record Run(String method, int seed, Path dir, long tokensPerStep, double flopsPerStep) {

        String label() {
            return method + " seed " + seed;
        }
    }

    private PipelineReport() {
    }

    /**
     * Steps, wall time, image tokens per second, training FLOPs and validation NLL (last and
     * lowest) of a finished run.
     */
    static JsonObject training(Run run) throws IOException {
        JsonObject meta = Checkpoint.load(run.dir().resolve("model.safetensors")).meta();
        long steps = meta.get("step").getAsLong();
        double seconds = meta.has(GptTrainer.TRAIN_SECONDS) ? meta.get(GptTrainer.TRAIN_SECONDS).getAsDouble()
                : Double.NaN;
        double[][] curve = validationCurve(run.dir());
        JsonObject facts = new JsonObject();
        facts.addProperty("steps", steps);
        facts.addProperty("train_seconds", seconds);
        facts.addProperty("image_tokens_per_s", steps * run.tokensPerStep() / seconds);
        facts.addProperty("train_pflops", steps * run.flopsPerStep() / 1e15);
        int last = curve[1].length - 1;
        facts.addProperty("val_nll", last >= 0 ? curve[1][last] : Double.NaN);
        double best = Double.NaN;
        for (double v : curve[1]) {
            best = Double.isNaN(best) ? v : Math.min(best, v);
        }
        facts.addProperty("val_nll_min", best);
        return facts;
    }

    /** Steps and validation NLL of the rows of metrics.csv that carry one: {@code [2][rows]}. */
    static double[][] validationCurve(Path dir) throws IOException {
        MetricsLog.Table table = MetricsLog.read(dir.resolve("metrics.csv"));
        double[] steps = table.column("step");
        double[] nll = table.column("val_nll");
        List<double[]> points = new ArrayList<>();
        for (int i = 0; i < nll.length; i++) {
            if (Double.isFinite(nll[i])) {
                points.add(new double[] {steps[i], nll[i]});
            }
        }
        double[][] curve = new double[2][points.size()];
        for (int i = 0; i < points.size(); i++) {
            curve[0][i] = points.get(i)[0];
            curve[1][i] = points.get(i)[1];
        }
        return curve;
    }

    /**
     * Validation NLL of every run against the step or, with {@code byCompute}, against training
     * PFLOPs, one line per run, in a 900 x 560 PNG.
     */
    static void plotValidation(List<Run> runs, Path png, boolean byCompute) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        XYChart chart = new XYChartBuilder().width(900).height(560)
                .title("Fashion-MNIST validation NLL (test-split codes)")
                .xAxisTitle(byCompute ? "training PFLOPs" : "step").yAxisTitle("NLL, nats per image token").build();
        chart.getStyler().setYAxisDecimalPattern("0.000");
        Color[] palette = chart.getStyler().getTheme().getSeriesColors();
        Marker[] markers = {SeriesMarkers.CIRCLE, SeriesMarkers.SQUARE, SeriesMarkers.DIAMOND, SeriesMarkers.TRIANGLE_UP};
        List<String> methods = new ArrayList<>();
        for (Run run : runs) {
            double[][] curve = validationCurve(run.dir());
            if (curve[0].length == 0) {
                continue;
            }
            double[] x = curve[0].clone();
            if (byCompute) {
                for (int i = 0; i < x.length; i++) {
                    x[i] = x[i] * run.flopsPerStep() / 1e15;
                }
            }
            if (!methods.contains(run.method())) {
                methods.add(run.method());
            }
            // One colour per method and one marker per seed, so the seeds of a method read as a band.
            XYSeries series = chart.addSeries(run.label(), x, curve[1]);
            series.setLineColor(palette[methods.indexOf(run.method()) % palette.length]);
            series.setMarkerColor(palette[methods.indexOf(run.method()) % palette.length]);
            series.setMarker(markers[Math.floorMod(run.seed(), markers.length)]);
        }
        AtomicFiles.writeBytes(png, BitmapEncoder.getBitmapBytes(chart, BitmapEncoder.BitmapFormat.PNG));
    }
}
