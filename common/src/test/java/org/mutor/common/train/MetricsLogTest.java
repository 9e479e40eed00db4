package org.mutor.common.train;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mutor.common.format.FormatException;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CSV rows, resume truncation and the PNG plot. */
class MetricsLogTest {

    @TempDir
    Path dir;

    @Test
    void resumeDropsReplayedRows() throws Exception {
        Path csv = dir.resolve("metrics.csv");
        List<String> columns = List.of("loss", "lr");
        try (MetricsLog log = MetricsLog.create(csv, columns)) {
            for (int step = 0; step < 5; step++) {
                log.log(step, 2.0 - 0.1 * step, 1e-3);
            }
        }
        // The checkpoint was taken after step 2 (next step 3): rows 3 and 4 are replayed.
        try (MetricsLog log = MetricsLog.resume(csv, columns, 3)) {
            log.log(3, 1.5, 1e-3);
        }
        assertEquals(List.of("step,loss,lr", "0,2.0,0.001", "1,1.9,0.001", "2,1.8,0.001", "3,1.5,0.001"),
                Files.readAllLines(csv, StandardCharsets.UTF_8));
        MetricsLog.Table table = MetricsLog.read(csv);
        assertArrayEquals(new double[] {0, 1, 2, 3}, table.column("step"));
        assertArrayEquals(new double[] {2.0, 1.9, 1.8, 1.5}, table.column("loss"));
    }

    @Test
    void rowsAreOnDiskBeforeClose() throws Exception {
        Path csv = dir.resolve("live.csv");
        try (MetricsLog log = MetricsLog.create(csv, List.of("loss"))) {
            log.log(7, 0.25);
            assertEquals(List.of("step,loss", "7,0.25"), Files.readAllLines(csv, StandardCharsets.UTF_8));
        }
    }

    @Test
    void rejectsMismatchedHeaderAndRowWidth() throws Exception {
        Path csv = dir.resolve("m.csv");
        MetricsLog.create(csv, List.of("loss")).close();
        assertThrows(FormatException.class, () -> MetricsLog.resume(csv, List.of("loss", "acc"), 0));
        try (MetricsLog log = MetricsLog.resume(csv, List.of("loss"), 0)) {
            assertThrows(IllegalArgumentException.class, () -> log.log(0, 1, 2));
        }
        assertThrows(IllegalArgumentException.class, () -> MetricsLog.create(csv, List.of("a,b")));
    }

    @Test
    void plotWritesAPngOfTheRequestedSize() throws Exception {
        Path csv = dir.resolve("curve.csv");
        try (MetricsLog log = MetricsLog.create(csv, List.of("loss", "val_loss"))) {
            for (int step = 0; step < 50; step++) {
                log.log(step, Math.exp(-step / 10.0), step % 10 == 0 ? 1.1 * Math.exp(-step / 10.0) : Double.NaN);
            }
        }
        Path png = dir.resolve("plots/curve.png");
        MetricsLog.plot(csv, png, 640, 400, "loss", "val_loss");
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "not a readable image");
        assertEquals(640, image.getWidth());
        assertEquals(400, image.getHeight());
        // The chart draws something: more than one colour.
        int first = image.getRGB(0, 0);
        boolean varied = false;
        for (int y = 0; y < 400 && !varied; y += 7) {
            for (int x = 0; x < 640 && !varied; x += 7) {
                varied = image.getRGB(x, y) != first;
            }
        }
        assertTrue(varied, "the plot is a blank image");
    }
}
