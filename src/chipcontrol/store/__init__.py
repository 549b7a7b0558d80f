"""chipcontrol.store"""
