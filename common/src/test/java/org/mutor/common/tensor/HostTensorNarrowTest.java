package org.mutor.common.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class HostTensorNarrowTest {

    private static HostTensor grid() {
        // 3 x 4 values 0..11 in row-major order.
        long[] values = new long[12];
        for (int i = 0; i < values.length; i++) {
            values[i] = i;
        }
        return HostTensor.ofLongs(new long[] {3, 4}, values);
    }

    @Test
    void narrowSelectsRowsAndColumns() {
        assertArrayEquals(new long[] {4, 5, 6, 7, 8, 9, 10, 11}, grid().narrow(0, 1, 2).toLongArray());
        HostTensor columns = grid().narrow(1, 1, 2);
        assertArrayEquals(new long[] {3, 2}, columns.shape());
        assertArrayEquals(new long[] {1, 2, 5, 6, 9, 10}, columns.toLongArray());
        assertEquals(0, grid().narrow(0, 3, 0).numel());
    }

    @Test
    void narrowRejectsOutOfRange() {
        assertThrows(IllegalArgumentException.class, () -> grid().narrow(0, 2, 2));
        assertThrows(IllegalArgumentException.class, () -> grid().narrow(2, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> grid().narrow(1, -1, 1));
    }
}
