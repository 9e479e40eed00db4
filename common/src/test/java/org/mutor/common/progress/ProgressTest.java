package org.mutor.common.progress;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Plain-line progress on a fake clock, and the bar on a stream that is not a terminal. */
class ProgressTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void plainLinesCarryRateEtaAndExtraMessage() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(0);
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
             PlainProgress p = new PlainProgress("train", 100, 1000, out, Duration.ofSeconds(10), now::get)) {
            for (int i = 0; i < 20; i++) {
                now.addAndGet(SECOND / 2);        // 2 steps per second
                p.setExtraMessage("loss 2.31");
                p.step(1);
            }
            assertEquals(120, p.current());
        }
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        // 20 half-second steps: one line at 10 s, none more before close (nothing new), no bar characters.
        assertEquals(1, lines.length, String.join("|", lines));
        assertEquals("train: step 120/1000 (12.0%) 2.0 it/s, ETA 07:20, loss 2.31", lines[0]);
    }

    @Test
    void closeWritesAFinalLineWithTheDuration() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicLong now = new AtomicLong(0);
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
             PlainProgress p = new PlainProgress("eval", 0, 0, out, Duration.ofSeconds(10), now::get)) {
            now.set(3 * SECOND);
            p.step(6);
        }
        assertEquals("eval: step 6 2.0 it/s, took 00:03\n", bytes.toString(StandardCharsets.UTF_8));
        assertEquals("1:01:05", PlainProgress.clockTime(3665));
    }

    @Test
    @Timeout(20)
    void barOnANonTerminalStreamNeitherHangsNorLeavesAThread() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
             TerminalProgress p = new TerminalProgress("bar", 0, 50, out)) {
            for (int i = 0; i < 50; i++) {
                p.step(1);
            }
            p.setExtraMessage("loss 1.00");
            assertEquals(50, p.current());
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("bar"), text);
        assertTrue(text.contains("50/50"), text);
        assertFalse(text.contains("\u001b["), "escape sequences in the output: " + text);
    }

    @Test
    void startWithoutConsoleChoosesPlainLines() {
        // Test JVMs run without a console, so the factory must not build a bar here.
        if (System.console() == null) {
            try (Progress p = Progress.plain("x", 0, 10, new PrintStream(new ByteArrayOutputStream(), true,
                    StandardCharsets.UTF_8), Duration.ZERO)) {
                assertTrue(p instanceof PlainProgress);
            }
            Progress auto = Progress.start("quiet", 0);
            assertTrue(auto instanceof PlainProgress);
            auto.close();
        }
    }
}
