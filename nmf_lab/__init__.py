"""nmf_lab: the lessons and figures of NMF Lab, between the solver library and the pages.

- :mod:`nmf_lab.lessons`: what each page computes, one module (or package) per page, named
  like the page's script in ``app_pages/``.
- :mod:`nmf_lab.figures`: the plotly figures of each page, the same stems again.
- :mod:`nmf_lab.demo_data`: every demo data set the pages factor.
- :mod:`nmf_lab.uploads`: decoding what a visitor uploads (CSV matrices, PNG/JPEG pictures).

Imports run one way: ``nmf_core`` <- lessons <- figures <- ``app_pages/``. Nothing here imports
Streamlit, so everything is tested without it.
"""
