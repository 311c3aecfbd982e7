from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader


def server_error(request):
    """Render 500.html without a request context: the failure may lie there."""
    return HttpResponseServerError(loader.get_template("500.html").render())


def page_not_found_preview(request):
    """Lets developers look at the 404 page while DEBUG is on."""
    return render(request, "404.html", status=404)


def server_error_preview(request):
    return server_error(request)
