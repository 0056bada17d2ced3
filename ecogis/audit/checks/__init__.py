"""The built-in check types, one module each, each registering its function with
:func:`~ecogis.audit.registry.check_type` (:mod:`ecogis.audit.builtin` imports them all)."""
