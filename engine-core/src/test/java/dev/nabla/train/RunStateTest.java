package dev.nabla.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nabla.InputException;
import dev.nabla.data.DataIdentity;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The run's state in a checkpoint's metadata reads back as written; what older checkpoints lack has its old meaning. */
class RunStateTest {
    private static final TrainingLoop.Options OPTIONS = new TrainingLoop.Options(5, 64, 0.1, true, -3);
    private static final TrainingLoop.Position AT = new TrainingLoop.Position(2, 7, 17, 0.125);

    @Test
    void readsBackWhatItWrites() {
        RunState s =
                new RunState(OPTIONS, AT, 32, "fp64", "data.csv", 900, 0.1, true, DataIdentity.synthetic(1000, -3));
        Map<String, String> m = s.toMetadata();
        assertEquals("drawn", m.get("nabla.validation_split"));
        assertEquals("{\"synthetic\": {\"samples\": 1000, \"seed\": \"-3\"}}", m.get("nabla.data_identity"));
        assertEquals(s, RunState.fromMetadata(m, "c"));
        RunState last = new RunState(OPTIONS, AT, 32, "fp64", "data.csv", 900, 0.1, false, null);
        assertEquals("last", last.toMetadata().get("nabla.validation_split"));
        assertEquals(last, RunState.fromMetadata(last.toMetadata(), "c"));
        RunState none = new RunState(OPTIONS, AT, 32, "fp64", "data.csv", 900, null, false, null);
        assertFalse(none.toMetadata().containsKey("nabla.validation_split"));
        assertFalse(none.toMetadata().containsKey("nabla.data_identity"));
    }

    @Test
    void aCheckpointWithoutTheNewerKeysHeldOutTheLastRowsAndRecordsNoData() {
        Map<String, String> m = new HashMap<>(
                new RunState(OPTIONS, AT, 32, "fp64", "d", 900, 0.1, true, DataIdentity.synthetic(1000, 1))
                        .toMetadata());
        m.remove("nabla.validation_split");
        m.remove("nabla.data_identity");
        RunState old = RunState.fromMetadata(m, "c");
        assertEquals(0.1, old.validation());
        assertFalse(old.validationDrawn());
        assertNull(old.dataIdentity());
    }

    @Test
    void aDamagedValueNamesTheCheckpoint() {
        Map<String, String> m =
                new HashMap<>(new RunState(OPTIONS, AT, 32, "fp64", "d", 900, 0.1, true, null).toMetadata());
        m.put("nabla.validation_split", "middle");
        InputException e = assertThrows(InputException.class, () -> RunState.fromMetadata(m, "c.safetensors"));
        assertTrue(e.getMessage().startsWith("c.safetensors: "), e.getMessage());
        m.put("nabla.validation_split", "last");
        m.put("nabla.data_identity", "{\"synthetic\": 3}");
        e = assertThrows(InputException.class, () -> RunState.fromMetadata(m, "c.safetensors"));
        assertTrue(e.getMessage().startsWith("c.safetensors nabla.data_identity:1:"), e.getMessage());
    }
}
