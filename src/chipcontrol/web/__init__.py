"""chipcontrol.web"""
