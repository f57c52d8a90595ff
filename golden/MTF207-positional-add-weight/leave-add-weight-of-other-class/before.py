class SlotTable:
    """Not a layer: its own add_weight(name, shape) has nothing to do with Keras."""

    def __init__(self):
        self.slots = {}

    def add_weight(self, name, shape):
        self.slots[name] = [0.0] * shape[0]
        return self.slots[name]

    def reset(self):
        self.add_weight("momentum", (4,))
