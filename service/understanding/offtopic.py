"""Messages about nothing the line answers (chit-chat, other errands, keyboard mashing): taught to the matcher as
one more place, "nothing", so that they are not pushed onto the nearest topic."""

from __future__ import annotations

OFF_TOPIC: dict[str, tuple[str, ...]] = {
    "en": (
        "what's the weather tomorrow", "who won the game last night", "I want to order a pizza", "tell me a joke",
        "how do I reset my password", "can you recommend a good movie", "what time is it", "my cat is sick",
        "where is the nearest gas station", "is the bank open today", "how do I get to the airport",
        "what is the capital of France", "play some music", "I lost my car keys", "my phone screen is cracked",
        "book a table for two", "how much is a bus ticket", "what's on tv tonight", "I need a plumber",
        "the wifi is not working", "sell me a car", "win a free cruise", "check my bank balance",
        "how tall is mount everest", "what day is the election", "recipe for chocolate cake", "track my package",
        "asdf jkl", "qwerty uiop", "zzzz", "lol", "hahaha", "test test", "blah blah blah", "purple monkey dishwasher",
        "the quick brown fox jumps over the lazy dog", "banana", "ok cool", "hmm", "xyz",
        "are you a robot", "who made you", "what is your name", "happy birthday", "good night",
        "my dog ate my homework", "where can I buy cheap shoes", "when does the store close", "football scores",
    ),
    "es": (
        "qué tiempo va a hacer mañana", "quién ganó el partido anoche", "quiero pedir una pizza", "cuéntame un chiste",
        "cómo cambio mi contraseña", "recomiéndame una película", "qué hora es", "mi gato está enfermo",
        "dónde está la gasolinera más cercana", "está abierto el banco hoy", "cómo llego al aeropuerto",
        "cuál es la capital de Francia", "pon música", "perdí las llaves del carro", "se me rompió la pantalla del celular",
        "reserva una mesa para dos", "cuánto cuesta el boleto de autobús", "qué hay en la tele esta noche",
        "necesito un plomero", "no funciona el wifi", "véndeme un carro", "gana un crucero gratis", "mi saldo del banco",
        "receta de pastel de chocolate", "rastrear mi paquete", "asdf jkl", "qwerty", "jajaja", "prueba prueba",
        "bla bla bla", "mono morado lavaplatos", "plátano", "ok va", "mmm", "eres un robot", "cómo te llamas",
        "feliz cumpleaños", "buenas noches", "dónde compro zapatos baratos", "a qué hora cierra la tienda",
        "resultados del fútbol", "el perro se comió mi tarea", "cuánto mide el monte everest", "quiero una cita en la peluquería",
    ),
}
