"""The shell's levels, one module each; `root.RootLevel` ties them together."""
