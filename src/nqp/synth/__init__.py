"""nqp.synth"""
