"""nqp.index"""
