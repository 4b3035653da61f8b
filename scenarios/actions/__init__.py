"""The municipality's actions, one module each; the registry (samenkracht.sim.actions) finds every module here.

To add an action, add a module whose name is the action's name, with one
subclass of :class:`samenkracht.sim.actions.Action` declaring its parameters,
the levers it pulls, its yearly cost, its page choice and labels, and perhaps
its own weekly step; then a scenario file in conf/scenario/ can use it. The
page, the documentation tables and the tests take the action from the registry.
"""
