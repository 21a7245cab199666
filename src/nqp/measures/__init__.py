"""nqp.measures"""
