package dev.nabla.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code nabla.cuda.device}: the device a JVM computes on, such as the GPU Spark assigned its executor. */
class CudaDeviceOrdinalTest {
    @AfterEach
    void clear() {
        System.clearProperty(CudaRuntime.DEVICE_PROPERTY);
    }

    @Test
    void withoutThePropertyTheFirstDevice() {
        assertEquals(0, CudaRuntime.deviceOrdinal(4));
    }

    @Test
    void thePropertyNamesADeviceByItsOrdinal() {
        System.setProperty(CudaRuntime.DEVICE_PROPERTY, " 3 ");
        assertEquals(3, CudaRuntime.deviceOrdinal(4));
    }

    @Test
    void aDeviceThatIsNotThereIsTheReasonCudaIsUnusable() {
        System.setProperty(CudaRuntime.DEVICE_PROPERTY, "2");
        assertEquals(
                "nabla.cuda.device is 2, but this machine has 2 CUDA devices (0..1)",
                assertThrows(IllegalArgumentException.class, () -> CudaRuntime.deviceOrdinal(2))
                        .getMessage());
        System.setProperty(CudaRuntime.DEVICE_PROPERTY, "gpu0");
        assertEquals(
                "nabla.cuda.device is \"gpu0\", not a device number",
                assertThrows(IllegalArgumentException.class, () -> CudaRuntime.deviceOrdinal(2))
                        .getMessage());
    }
}
