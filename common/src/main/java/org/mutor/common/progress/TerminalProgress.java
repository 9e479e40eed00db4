package org.mutor.common.progress;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

import java.io.PrintStream;
import java.time.Duration;

/**
 * Progress as a redrawn bar with rate and ETA (me.tongfei:progressbar). Only used when
 * the JVM has a console: the library queries jline for the terminal width and redraws
 * with carriage returns, which is noise in a log file.
 */
final class TerminalProgress implements Progress {

    private final ProgressBar bar;

    TerminalProgress(String task, long initial, long total, PrintStream out) {
        bar = new ProgressBarBuilder()
                .setTaskName(task)
                .setInitialMax(total > 0 ? total : -1)
                .setStyle(ProgressBarStyle.ASCII)
                .setConsumer(new ConsoleProgressBarConsumer(out))
                .setUpdateIntervalMillis(500)
                .showSpeed()
                .startsFrom(initial, Duration.ZERO)
                .build();
    }

    @Override
    public void step(long n) {
        bar.stepBy(n);
    }

    @Override
    public void setExtraMessage(String message) {
        bar.setExtraMessage(message == null ? "" : message);
    }

    @Override
    public long current() {
        return bar.getCurrent();
    }

    @Override
    public void close() {
        bar.close();
    }
}
