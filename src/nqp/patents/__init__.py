"""nqp.patents"""
