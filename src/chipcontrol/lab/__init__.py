"""chipcontrol.lab"""
