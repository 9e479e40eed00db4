package org.mutor.generator.train;

import org.mutor.common.format.torch.TorchSaver;
import org.mutor.common.tensor.HostTensor;
import org.mutor.generator.gpt.GptModel;
import org.mutor.generator.gpt.GptWeights;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes trained models in upstream layouts, for users of PyTorch tools. */
public final class GptExport {

    private GptExport() {
    }

    /**
     * Writes a {@code torch.save} file {@code {"model": state_dict}} with LlamaGen's key names and
     * shapes (float32), which LlamaGen's sampling scripts load. The register embedding is left
     * out, because inference never uses it and upstream's strict loading would reject it.
     */
    public static void toLlamaGen(GptModel model, Path file) throws IOException {
        Map<String, HostTensor> stateDict = GptWeights.stateDict(model, false);
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("model", new LinkedHashMap<String, Object>(stateDict));
        TorchSaver.save(file, root);
    }
}
