"""image.compose: prompt → picture from public-domain clip art on a painted scene."""

from atelier.engines.image.compose.engine import Compose

__all__ = ["Compose"]
