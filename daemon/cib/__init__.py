"""The CIB document: loading, versions, ids, schema validation, v2 patchsets, persistence."""
