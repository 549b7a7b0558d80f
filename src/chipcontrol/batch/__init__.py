"""chipcontrol.batch"""
