package org.mutor.common.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;

import org.junit.jupiter.api.Test;

class EngineSetupTest {

    @Test
    void offlinePropertiesSetBeforeEngineLoads() {
        EngineSetup.offline();
        assertEquals("true", System.getProperty("ai.djl.offline"));
        assertEquals("true", System.getProperty("OPT_OUT_TRACKING"));
    }

    @Test
    void cpuStartUsesPyTorchEngine() {
        Device device = EngineSetup.start(EngineSetup.Options.defaults().withSeed(3));
        assertEquals(Device.cpu(), device);
        assertEquals("PyTorch", Engine.getInstance().getEngineName());
        assertTrue(Integer.parseInt(System.getProperty("ai.djl.pytorch.num_threads")) >= 1);
        assertEquals("1", System.getProperty("ai.djl.pytorch.num_interop_threads"));
    }

    @Test
    void gpuRequestWithoutGpuNamesTheFix() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> EngineSetup.start(EngineSetup.Options.defaults().withDevice(EngineSetup.DeviceChoice.GPU)));
        assertTrue(e.getMessage().contains("--device cpu"), e.getMessage());
        assertEquals(Device.cpu(), EngineSetup.start(EngineSetup.Options.defaults()
                .withDevice(EngineSetup.DeviceChoice.AUTO)));
    }

    @Test
    void invalidChoicesRejected() {
        IllegalArgumentException device = assertThrows(IllegalArgumentException.class,
                () -> EngineSetup.DeviceChoice.parse("tpu"));
        assertEquals("invalid device 'tpu'; use cpu, gpu or auto", device.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new EngineSetup.Options(-1, 1, null, EngineSetup.DeviceChoice.CPU));
        assertThrows(IllegalArgumentException.class, () -> new EngineSetup.Options(0, 0, null, EngineSetup.DeviceChoice.CPU));
    }
}
