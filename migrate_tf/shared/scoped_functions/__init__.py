"""TF1 functions built on `variable_scope`/`get_variable` as Keras 3 layer classes.

The machinery of MTF101, shared with every rule that turns a function into a layer:
:mod:`.model` (the plan), :mod:`.planner` (what converts and why not), :mod:`.writer`
(the class text).
"""

from migrate_tf.shared.scoped_functions.model import LayerPlan
from migrate_tf.shared.scoped_functions.planner import (
    Planner,
    initializers_shared_with_other_code,
)

__all__ = ["LayerPlan", "Planner", "initializers_shared_with_other_code"]
