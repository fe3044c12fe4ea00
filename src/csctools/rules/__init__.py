"""Rule packs: one sub-package per return, each rule a catalogued DfE code plus one function."""
