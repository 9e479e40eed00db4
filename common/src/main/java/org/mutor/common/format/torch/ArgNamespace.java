package org.mutor.common.format.torch;

import java.util.Map;

/**
 * The fields of a pickled {@code argparse.Namespace}, such as the {@code args} entry that
 * training scripts store next to the weights, in the order the pickle lists them.
 */
public record ArgNamespace(Map<String, Object> fields) {

    /** Returns a field's value, or null when the namespace has no such field. */
    public Object get(String field) {
        return fields.get(field);
    }
}
