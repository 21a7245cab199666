"""nqp.panel"""
