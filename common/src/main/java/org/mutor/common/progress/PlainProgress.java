package org.mutor.common.progress;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress as plain lines, written when at least one interval has passed since the
 * previous line, and once more on close. The rate counts the units done since this
 * report started, so a resumed run shows its real speed.
 */
final class PlainProgress implements Progress {

    private final String task;
    private final long initial;
    private final long total;
    private final PrintStream out;
    private final long intervalNanos;
    private final LongSupplier clock;
    private final long startNanos;
    private long lastPrintNanos;
    private long lastPrinted = -1;
    private long current;
    private String extra;
    private boolean closed;

    PlainProgress(String task, long initial, long total, PrintStream out, Duration interval, LongSupplier clock) {
        if (initial < 0) {
            throw new IllegalArgumentException("invalid initial progress " + initial + "; use 0 or more");
        }
        if (interval.isNegative()) {
            throw new IllegalArgumentException("invalid progress interval " + interval + "; use 0 or more");
        }
        this.task = task;
        this.initial = initial;
        this.total = total;
        this.out = out;
        this.intervalNanos = interval.toNanos();
        this.clock = clock;
        this.startNanos = clock.getAsLong();
        this.lastPrintNanos = startNanos;
        this.current = initial;
    }

    @Override
    public synchronized void step(long n) {
        current += n;
        long now = clock.getAsLong();
        if (now - lastPrintNanos >= intervalNanos) {
            print(now);
        }
    }

    @Override
    public synchronized void setExtraMessage(String message) {
        extra = message;
    }

    @Override
    public synchronized long current() {
        return current;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            if (lastPrinted != current) {
                print(clock.getAsLong());
            }
            out.flush();
        }
    }

    private void print(long now) {
        out.println(line(now));
        lastPrintNanos = now;
        lastPrinted = current;
    }

    /** Formats the report line for time {@code now}. */
    String line(long now) {
        StringBuilder b = new StringBuilder();
        b.append(task).append(": step ").append(current);
        if (total > 0) {
            b.append('/').append(total)
                    .append(String.format(Locale.ROOT, " (%.1f%%)", 100.0 * current / total));
        }
        double seconds = (now - startNanos) / 1e9;
        long done = current - initial;
        double rate = seconds > 0 ? done / seconds : 0;
        b.append(String.format(Locale.ROOT, " %.1f it/s", rate));
        if (total > 0 && current < total && rate > 0) {
            b.append(", ETA ").append(clockTime((long) Math.ceil((total - current) / rate)));
        } else if (closed || (total > 0 && current >= total)) {
            b.append(", took ").append(clockTime((long) seconds));
        }
        if (extra != null && !extra.isEmpty()) {
            b.append(", ").append(extra);
        }
        return b.toString();
    }

    /** mm:ss below an hour, h:mm:ss from there. */
    static String clockTime(long seconds) {
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%02d:%02d", m, s);
    }
}
