"""nqp.econometrics"""
