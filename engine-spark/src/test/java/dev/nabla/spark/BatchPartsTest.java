package dev.nabla.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** {@link BatchParts#partOf}, the inverse of the parts' starts, against a search over them. */
class BatchPartsTest {
    @Test
    void everyPositionIsInThePartWhoseRangeHoldsIt() {
        for (int rows = 1; rows <= 60; rows++) {
            for (int parts = 1; parts <= 9; parts++) {
                int total = 0;
                for (int p = 0; p < parts; p++) {
                    total += BatchParts.rows(rows, parts, p);
                    for (int within = BatchParts.start(rows, parts, p);
                            within < BatchParts.start(rows, parts, p + 1);
                            within++) {
                        assertEquals(p, BatchParts.partOf(rows, parts, within), rows + " rows, " + parts + " parts");
                    }
                }
                assertEquals(rows, total);
            }
        }
        // a batch of the largest int size: no overflow in the products
        assertEquals(6, BatchParts.partOf(Integer.MAX_VALUE, 7, Integer.MAX_VALUE - 1));
    }
}
