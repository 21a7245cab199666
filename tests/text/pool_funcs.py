"""Work functions for the pool tests (importable by spawned worker processes)."""

import os
import time


def work(item, context):
    kind, value = item
    if kind == "sleep":
        time.sleep(value)
    elif kind == "raise":
        raise ValueError(value)
    elif kind == "memory":
        block = bytearray(value * 2**20)  # resident: written below
        for i in range(0, len(block), 4096):
            block[i] = 1
        time.sleep(5)
    elif kind == "exit":
        os._exit(3)
    return (context, kind, value)
