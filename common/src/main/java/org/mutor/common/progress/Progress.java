package org.mutor.common.progress;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Progress of a long job: a bar with rate and ETA on a terminal, plain periodic lines
 * such as {@code train: step 120/1000 (12.0%) 35.2 it/s, ETA 00:25, loss 2.31} otherwise
 * (logs, pipes, CI), where a bar would only write control characters.
 *
 * <pre>
 * try (Progress progress = Progress.start("train", step, totalSteps)) {
 *     ...
 *     progress.setExtraMessage(String.format("loss %.3f", loss));
 *     progress.step(1);
 * }
 * </pre>
 */
public interface Progress extends AutoCloseable {

    /** Default spacing of plain lines. */
    Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);

    /** Advances by {@code n} units. */
    void step(long n);

    /** Advances by one unit. */
    default void step() {
        step(1);
    }

    /** Text shown after the rate and ETA, for example {@code loss 2.31}; null clears it. */
    void setExtraMessage(String message);

    /** Units done so far, including the initial count. */
    long current();

    /** Ends the report, printing a final line or the completed bar. */
    @Override
    void close();

    /** Starts a report on standard error at 0 of {@code total} (0 or less when unknown). */
    static Progress start(String task, long total) {
        return start(task, 0, total);
    }

    /**
     * Starts a report on standard error at {@code initial} (the resumed step) of
     * {@code total}: a bar when the JVM has a console, plain lines every 10 s otherwise.
     */
    static Progress start(String task, long initial, long total) {
        if (System.console() != null) {
            return new TerminalProgress(task, initial, total, System.err);
        }
        return new PlainProgress(task, initial, total, System.err, DEFAULT_INTERVAL, System::nanoTime);
    }

    /** Starts plain lines on {@code out}: a line when a step finds {@code interval} passed since the last one, and a final line on close. */
    static Progress plain(String task, long initial, long total, PrintStream out, Duration interval) {
        return new PlainProgress(task, initial, total, out, interval, System::nanoTime);
    }
}
