//! IVS Chat rule packs: format, loader, normaliser and evaluation engine (pure).
