package org.mutor.mutor2d;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RegisterPlanTableTest {

    /*
     * P = 2, A = 2, d = 2: tokens p0 p1 | a0 a1 (x0..x3), inputs x0..x2. The only site is t = 1,
     * so one register after p1 predicts a1 (x3) at position id 2.
     */
    @Test
    void rendersPromptAnswerPlan() {
        String expected = """
                mode: full
                layout: prompt 2 + answer 2 (bidirectional prompt)
                offset: 2 (flat shift 2)
                slots: 4 (real inputs 3, registers 1)

                slot kind token  pos target
                   0    T p0       0 -
                   1    T p1       1 a0
                   2    R -        2 a1
                   3    T a0       2 a1

                mask: row = query slot, column = key slot (last digit), x = may attend, . = blocked
                         0123
                   0 T   xx..
                   1 T   xx..
                   2 R   xxx.
                   3 T   xx.x
                """;
        String table = RegisterPlanTable.show(new PromptAnswerLayout(2, 2, true), LinearOffset.parse("2"),
                RegisterMode.FULL, 0, 0);
        assertEquals(expected, table.replace(System.lineSeparator(), "\n"));
    }

    /* 4x4 grid, offset (2, 3): D = 7; the register before x1 predicts x8 at cell (1, 2). */
    @Test
    void rendersGridPlanFromCommandLineValues() {
        String table = RegisterPlanTable.show(GridLayout.parse("4x4"), GridOffset.parse("2,3"),
                RegisterMode.FULL, 0, 0);
        assertTrue(table.contains("slots: 22 (real inputs 16, registers 6)"), table);
        assertTrue(table.contains("   1    R -           6 x7(1,2)"), table);
        assertTrue(table.contains("   3 R   x.xx......"), table);

        String sparse = RegisterPlanTable.show(GridLayout.parse("4x4"), GridOffset.parse("2,3"),
                RegisterMode.SPARSE, 2, 11);
        assertTrue(sparse.startsWith("mode: sparse, K=2, seed 11\n"), sparse);
        assertTrue(sparse.contains("registers 2)"), sparse);
        assertEquals(sparse, RegisterPlanTable.show(new GridLayout(4, 4), new GridOffset(2, 3),
                RegisterMode.SPARSE, 2, 11), "same seed, same table");

        String none = RegisterPlanTable.show(new GridLayout(2, 2), null, RegisterMode.NONE, 0, 0);
        assertTrue(none.contains("offset: none"), none);
        assertTrue(none.contains("registers 0)"), none);
    }
}
