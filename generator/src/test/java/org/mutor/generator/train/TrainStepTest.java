package org.mutor.generator.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.mutor.generator.gpt.GptModel;
import org.mutor.mutor2d.GridLayout;
import org.mutor.mutor2d.GridOffset;
import org.mutor.mutor2d.RegisterBatch;
import org.mutor.mutor2d.RegisterLoss;
import org.mutor.mutor2d.RegisterPlan;
import org.mutor.mutor2d.RegisterPlanner;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Register forward pass and loss against the plain NTP path and a host-side reference. */
class TrainStepTest {

    private static final int N = 16;
    private static final GridLayout GRID = new GridLayout(4, 4);
    private static GptModel model;

    @BeforeAll
    static void create() {
        model = TinyTraining.model(TinyTraining.config(0.0), 7);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static List<TrainStep.Sample> samples(List<RegisterPlan> plans, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<TrainStep.Sample> out = new ArrayList<>();
        for (int i = 0; i < plans.size(); i++) {
            out.add(new TrainStep.Sample(i % 4, TinyTraining.codes(random, N, 16), plans.get(i)));
        }
        return out;
    }

    private static List<RegisterPlan> mixedPlans() {
        SplittableRandom random = new SplittableRandom(3);
        return List.of(
                RegisterPlanner.full(GRID, new GridOffset(1, 2)),
                RegisterPlanner.full(GRID, new GridOffset(2, 2)),
                RegisterPlanner.sparse(GRID, new GridOffset(3, 1), 5, random),
                RegisterPlanner.sparse(GRID, new GridOffset(2, 3), 3, random));
    }

    @Test
    void realTokenLogitsIgnoreRegisters() {
        List<TrainStep.Sample> samples = samples(mixedPlans(), 11);
        try (NDScope scope = new NDScope()) {
            NDManager m = model.manager();
            List<int[]> sequences = new ArrayList<>();
            long[] labels = new long[samples.size()];
            long[] codes = new long[samples.size() * N];
            for (int b = 0; b < samples.size(); b++) {
                sequences.add(TrainStep.sequence(samples.get(b)));
                labels[b] = samples.get(b).label();
                for (int t = 0; t < N; t++) {
                    codes[b * N + t] = samples.get(b).codes()[t];
                }
            }
            RegisterBatch batch = RegisterBatch.of(samples.stream().map(TrainStep.Sample::plan).toList());
            float[] withRegisters = TrainStep.registerLogits(model, m, batch, sequences, null).toFloatArray();
            float[] plain = model.teacherForcedLogits(m.create(labels), m.create(codes, new Shape(samples.size(), N)))
                    .toFloatArray();
            int v = 16;
            int l = batch.length();
            int compared = 0;
            for (int b = 0; b < samples.size(); b++) {
                RegisterPlan plan = batch.plans().get(b);
                assertTrue(plan.registerCount() > 0, "plan " + b + " has registers");
                for (int k = 0; k < plan.length(); k++) {
                    int i = plan.realIndex(k);
                    if (i < 0) {
                        continue;
                    }
                    for (int c = 0; c < v; c++) {
                        float want = plain[(b * N + i) * v + c];
                        float got = withRegisters[(b * l + k) * v + c];
                        assertEquals(want, got, 1e-5 * Math.max(1, Math.abs(want)),
                                "row " + b + " token " + i + " logit " + c);
                    }
                    compared++;
                }
            }
            assertEquals(4 * N, compared, "every real input slot compared");
        }
    }

    @Test
    void alphaZeroGivesNtpLoss() {
        List<RegisterPlan> plans = mixedPlans();
        List<TrainStep.Sample> withRegisters = samples(plans, 5);
        List<TrainStep.Sample> plain = samples(java.util.Collections.nCopies(plans.size(), null), 5);
        try (NDScope scope = new NDScope()) {
            NDManager m = model.manager();
            TrainStep.Result mutor = TrainStep.loss(model, m, withRegisters, 0.0, null);
            TrainStep.Result ntp = TrainStep.loss(model, m, plain, 0.3, null);
            double a = mutor.loss().getFloat();
            double b = ntp.loss().getFloat();
            assertEquals(b, a, 1e-6 * b, "alpha 0 loss vs plain NTP loss");
            assertEquals(b, mutor.ntp(), 1e-6 * b, "ntp part");
            assertTrue(mutor.register() > 0, "register part is still measured");
            assertEquals(4L * N, ntp.slots(), "plain path runs N slots per row");
        }
    }

    @Test
    void combinedLossMatchesHostReference() {
        List<TrainStep.Sample> samples = samples(mixedPlans(), 9);
        double alpha = 0.4;
        try (NDScope scope = new NDScope()) {
            NDManager m = model.manager();
            TrainStep.Result result = TrainStep.loss(model, m, samples, alpha, null);
            List<int[]> sequences = samples.stream().map(TrainStep::sequence).toList();
            RegisterBatch batch = RegisterBatch.of(samples.stream().map(TrainStep.Sample::plan).toList());
            float[] logits = TrainStep.registerLogits(model, m, batch, sequences, null).toFloatArray();
            long[] targets = batch.targets(sequences);
            double[] ce = new double[targets.length];
            for (int s = 0; s < targets.length; s++) {
                if (targets[s] < 0) {
                    continue;
                }
                double max = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < 16; c++) {
                    max = Math.max(max, logits[s * 16 + c]);
                }
                double sum = 0;
                for (int c = 0; c < 16; c++) {
                    sum += Math.exp(logits[s * 16 + c] - max);
                }
                ce[s] = max + Math.log(sum) - logits[s * 16 + (int) targets[s]];
            }
            RegisterLoss.Parts want = RegisterLoss.combine(batch, ce, alpha);
            float[] slot = result.slotLoss().toFloatArray();
            for (int s = 0; s < ce.length; s++) {
                assertEquals(ce[s], slot[s], 1e-5 * Math.max(1, ce[s]), "slot " + s);
            }
            assertEquals(want.total(), result.loss().getFloat(), 1e-6 * want.total(), "total");
            assertEquals(want.ntp(), result.ntp(), 1e-6 * want.ntp(), "ntp part");
            assertEquals(want.register(), result.register(), 1e-6 * want.register(), "register part");
            assertTrue(want.registerCount() > 0 && want.ntpCount() == 4 * N, "counts");
        }
    }

    @Test
    void noValidRegisterTargetGivesFiniteLoss() {
        // (4, 4) fits only the first cell of a 4x4 grid; a plan with sites but no picked register
        // and a plan whose only site was dropped both leave no register target.
        RegisterPlan none = RegisterPlanner.withSites(GRID, new GridOffset(4, 4), new int[0]);
        List<TrainStep.Sample> samples = samples(List.of(none, none), 13);
        try (NDScope scope = new NDScope()) {
            NDManager m = model.manager();
            TrainStep.Result result = TrainStep.loss(model, m, samples, 0.5, null);
            double loss = result.loss().getFloat();
            assertTrue(Double.isFinite(loss), "loss " + loss);
            assertEquals(0.0, result.register(), "register part");
            assertEquals(0.5 * result.ntp(), loss, 1e-6 * loss, "(1 - a) * ntp");
        }
    }
}
