"""chipcontrol.api"""
