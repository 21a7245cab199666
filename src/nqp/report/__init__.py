"""nqp.report"""
