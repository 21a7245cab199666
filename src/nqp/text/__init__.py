"""nqp.text"""
