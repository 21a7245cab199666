"""nqp.study"""
