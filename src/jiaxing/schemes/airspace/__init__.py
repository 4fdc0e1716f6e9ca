"""Temporary airspace control (临时空域管控, 嘉政发〔2022〕17号): control notices as data, the registry of
drones and airborne objects, approved exempt flights, flight checks, sealing and violations.

Modules: notices (the notice files), geometry (projection, buffers, distances), check (one point, a
track, a batch), models, commands + handlers (state changes), queries, api, cli, svgmap, pages, demo.
See docs/airspace.md.
"""
