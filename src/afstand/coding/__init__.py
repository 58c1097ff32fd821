"""Qualitative coding (pure core, no Django): codebooks, sources and codings with code-point
offsets, memos, agreement between coders, assisted coding, focus-group notes and REFI-QDA."""
