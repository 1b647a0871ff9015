"""Change of basis: a point in two bases (:mod:`.basis`) and functions on the sphere in the
fixed basis of real spherical harmonics (:mod:`.harmonics`)."""
