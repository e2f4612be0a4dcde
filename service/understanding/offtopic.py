"""Messages about nothing the line answers (chit-chat, other errands, keyboard mashing): taught to the matcher as
one more place, "nothing", so that they are not pushed onto the nearest topic; and, with more of them, to a layer of
their own that tells a wrong number, an errand or a bot's small talk from a question the line might answer."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .semantic import Embedder, SemanticModel

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

# More of them, for the layer below only (the places' own layer keeps the list above: a larger "nothing" class took
# enough of each question's probability to turn answers into "did you mean", bench/README.md). Written for the line:
# wrong numbers, errands, news and small talk with a bot, spam; nothing about health, feelings, family or the line's
# own controls.
MORE_OFF_TOPIC: dict[str, tuple[str, ...]] = {
    "en": (
        'who is this', 'sorry wrong number', 'wrong number my bad', 'is this the pizza place on 5th',
        'is maria there', 'is this joes auto shop', 'is this chase bank customer service', 'is this the fedex number',
        'who gave you my number??', 'is carlos there i need to ask him something',
        'is this the front desk at the hilton', 'is this the lincoln high school office',
        'i think i got the wrong number', 'is tony around', 'is this kevin? we met saturday',
        'is this the taco truck guy', 'i was trying to text my landlord', 'is this the walmart on route 9',
        'this number called me twice who are you', 'you called me, who is this', 'is this the ups store',
        'is jessica available', 'im looking for the dmv', 'is this the number for dominos', 'is this wells fargo',
        'is this the real estate office', 'wrong # sorry', 'is this brandons new number', 'yo is this mike',
        'sorry texted the wrong person', 'is this the nail salon?', 'is this the chinese restaurant on oak st',
        'how do i reset my netflix password', 'my internet is down again', 'why is my cable bill so high',
        'package says delivered but its not here', 'where is my amazon order', 'i want a refund for my order',
        'cancel my order please', 'can i book a haircut friday at 3', 'need to move my hair salon appointment',
        'how much to fix my brakes', 'my check engine light is on', 'send a taxi to 42 elm st',
        'i need an uber to the airport', 'is my flight to dallas delayed', 'change my flight to tuesday',
        'book a hotel room for 2 nights', 'how do i upgrade my phone plan', 'how much is the unlimited data plan',
        'my wifi keeps cutting out', 'forgot my bank app password', 'why was i charged twice on my card',
        'my electric bill is wrong', 'move my cable service to my new address', 'how do i return these shoes',
        'i never got my pizza', 'need an oil change tomorrow morning', 'can i get a room with a king bed',
        'when does my tmobile contract end', 'i want to pay my water bill', 'my router has a blinking red light',
        'what time does the delivery truck come', 'my order came with the wrong size',
        'cancel my spotify subscription', 'is it going to rain tomorrow', 'weather in houston this weekend',
        'who won the lakers game', 'what was the score of the cowboys game', 'did mexico win the soccer match',
        'super bowl odds this year', 'whats the latest news', 'who is winning the election', 'when is election day',
        'who should i vote for', 'is taylor swift dating anyone', 'did beyonce drop a new album',
        'whats on tv tonight', 'good movies on netflix rn', 'when does the new marvel movie come out',
        'play some bad bunny', 'who sings despacito', 'tell me a joke', 'whats the capital of australia',
        'how many ounces in a cup', 'what is 15 times 24', 'solve 3x + 5 = 20',
        'how do you say where is the beach in french', 'translate i like cats to italian',
        'recipe for chicken enchiladas', 'how long do i bake a potato', 'where can i buy a cheap tv',
        'how much is an iphone 15', 'directions to the nearest gas station', 'what time does target close',
        'is costco open on sunday', 'how do i beat level 12 in candy crush', 'who won the world series',
        'when is the powerball drawing', 'what year did the titanic sink', 'is the bank open on labor day',
        'how far is chicago from here', 'price of gas today', 'whats the dollar to peso rate',
        'who is the president of france', 'when does the new season of stranger things come out',
        'are you a real person', 'r u a robot', 'whats your name', 'do you love me', 'will you marry me',
        'tell me a story', 'sing me a song', 'how old are you', 'youre cute', 'send pics', 'you are useless',
        'stupid bot', 'do you have a boyfriend', 'where do you live', 'whats your favorite color', 'are you single?',
        'can you keep a secret', 'are you chatgpt', 'knock knock', 'you are so annoying lol', 'make me a sandwich',
        'you won a $500 walmart gift card click here', 'congratulations you have been selected for a prize',
        'claim your reward now at bit.ly/win4u', 'invest in bitcoin now and double your money',
        'get a loan today no credit check', 'your car warranty is about to expire',
        'limited time offer 50% off all shoes', 'forward this to 10 people or bad luck',
        'your netflix account is suspended verify now', 'your package is on hold pay the customs fee here',
        'earn $500 a day from your phone', 'hot singles in your area', 'my dog is limping',
        'my cat keeps scratching the couch', 'my tomato plant has yellow leaves', 'why is my dog eating grass',
        'how often should i water a cactus', 'my fish tank water is cloudy', 'my parrot wont stop screaming',
        'my car wont start', 'got a flat tire what do i do', 'my basement is flooding', 'the toilet keeps running',
        'my ac is blowing warm air', 'how do i get rid of ants in the kitchen', 'there are aphids all over my roses',
        'my puppy chews everything', 'garage door wont open', 'my car makes a weird noise when i turn',
        'ceiling leaks every time it rains', 'my hamster escaped', 'my lawn has brown patches',
        'my cat wont use the litter box',
    ),
    "es": (
        'quien es', 'quién habla?', 'perdon numero equivocado', 'disculpe me equivoque de numero', 'es la pizzeria?',
        'esta maria?', 'se encuentra don roberto', 'es el taller mecanico', 'es bancomer?',
        'es el numero de estafeta', 'quien le dio mi numero', 'es la oficina de la escuela primaria',
        'me equivoque de persona sorry', 'eres tu juan?', 'es la taqueria el güero',
        'andaba buscando al señor del agua', 'este numero me marco, quien es', 'es la mueblería?',
        'le queria escribir a mi casero', 'es el salon de belleza?', 'esta lupita? es por lo de los tamales',
        'es el numero nuevo de karla', 'es la recepcion del hotel', 'es western union?',
        'es la oficina de la iglesia san jose', 'con quien tengo el gusto', 'es el restaurante chino de la avenida',
        'wrong number perdon', 'es el banco azteca', 'se encuentra el licenciado ramirez', 'es la paqueteria dhl?',
        'creo que me equivoque de numero jaja', 'olvide mi contraseña de facebook', 'no tengo internet desde ayer',
        'por que me llego tan alto el recibo de la luz', 'mi paquete no ha llegado', 'donde esta mi pedido de amazon',
        'quiero un reembolso de mi compra', 'cancelen mi orden porfa', 'quiero cita para corte de pelo el viernes',
        'cambiar mi cita del salon para el lunes', 'cuanto cuesta cambiar los frenos', 'se prendio la luz del motor',
        'mandeme un taxi a la calle 5', 'necesito un uber al aeropuerto', 'mi vuelo a guadalajara esta retrasado?',
        'quiero cambiar la fecha de mi vuelo', 'reservar hotel dos noches en cancun',
        'quiero cambiar mi plan de telefono', 'cuanto cuesta el plan ilimitado', 'el wifi se corta a cada rato',
        'me cobraron doble en la tarjeta', 'quiero pagar el recibo del agua', 'como devuelvo unos zapatos',
        'nunca llego mi pizza', 'necesito cambio de aceite mañana', 'el cable no funciona otra vez',
        'como hago un envio a mexico', 'mi router tiene una luz roja', 'el del cable nunca vino',
        'hacen entregas a domicilio?', 'quiero cancelar spotify', 'se me bloqueo la cuenta del banco',
        'donde rastreo mi paquete', 'me llego el pedido con la talla equivocada',
        'el tracking dice delivered pero no hay nada', 'va a llover mañana?', 'como estara el clima el fin de semana',
        'quien gano el america', 'cuanto quedo el partido de mexico', 'a que hora juega el barca',
        'cuales son las noticias de hoy', 'quien va ganando las elecciones', 'cuando son las elecciones',
        'por quien debo votar', 'es cierto que shakira tiene novio nuevo', 'que novela pasan hoy',
        'peliculas buenas en netflix', 'cuando sale la nueva de marvel', 'pon musica de bad bunny',
        'quien canta el rey', 'cuentame un chiste', 'cual es la capital de canada', 'cuanto es 12 por 8',
        'como se resuelve 2x + 3 = 9', 'como se dice mariposa en ingles', 'traduce nice to meet you al español',
        'receta de pozole rojo', 'como hago arroz a la mexicana', 'donde venden teles baratas',
        'cuanto cuesta el iphone nuevo', 'como llego al walmart mas cercano', 'a que hora cierra soriana',
        'abre costco el domingo?', 'como paso el nivel 10 de candy crush', 'quien gano la serie mundial',
        'cuando es el sorteo de la loteria', 'en que año fue la revolucion mexicana', 'a como esta el dolar hoy',
        'cuantas millas hay de aqui a houston', 'a cuanto esta la gasolina', 'quien es el presidente de colombia',
        'donde venden tacos buenos por aqui', 'cuando sale la nueva temporada de la casa de papel',
        'pasame la letra de la cancion de karol g', 'eres una persona real?', 'eres un robot o que', 'como te llamas',
        'me quieres?', 'te quieres casar conmigo', 'cuentame un cuento', 'cantame una cancion', 'cuantos años tienes',
        'que bonita voz tienes', 'mandame fotos', 'eres un inutil', 'bot tonto', 'tienes novio?', 'donde vives',
        'cual es tu color favorito', 'estas soltera?', 'sabes guardar un secreto?', 'eres chatgpt?', 'toc toc',
        'que fastidio contigo', 'hazme un sandwich', 'ganaste un premio de 5000 pesos',
        'felicidades fue seleccionado para un iphone gratis', 'da clic en este link para reclamar tu regalo',
        'invierte en bitcoin y duplica tu dinero', 'prestamos rapidos sin buro de credito',
        'tu cuenta de netflix fue suspendida verifica aqui', 'tu paquete esta retenido paga el envio aqui',
        'reenvia esto a 10 contactos o tendras mala suerte', 'gana 500 dolares diarios desde tu telefono',
        'oferta por tiempo limitado 50% de descuento', 'chicas solteras cerca de ti', 'eres hombre o mujer',
        'me caes bien bot', 'mi perro esta cojeando', 'mi gato araña el sillon',
        'mi planta de tomate tiene hojas amarillas', 'por que mi perro come pasto', 'cada cuanto se riega un cactus',
        'el agua de la pecera esta turbia', 'mi perico no deja de gritar', 'mi carro no arranca',
        'se me poncho una llanta que hago', 'se esta inundando el sotano', 'el escusado no deja de correr agua',
        'el aire acondicionado echa aire caliente', 'como quito las hormigas de la cocina', 'mi cachorro muerde todo',
        'la puerta del garaje no abre', 'mi troca hace un ruido raro', 'hay una gotera en el techo',
        'se escapo mi hamster', 'el pasto tiene manchas cafes', 'mi gato no usa su arenero',
        'se fue la luz en toda la casa',
    ),
}
# A message at least this likely about nothing the line answers, without one word the bank has and the off-topic
# messages do not ("vegf q es": the encoder does not know VEGF, the bank does), whose nearest place is not one of the
# line's services (leaving a message, a person), and that the line would otherwise have asked about, is told what the
# line is for. Chosen on the bank's cross-validation (of the two thirds of it the layer does not learn, no question
# turned away: 4,294 English, 4,424 Spanish) and on 42 new off-topic messages written for the test (13 told, the
# others asked about as before); the development and held-out questions: none turned away (bench/off_topic.py,
# `make eval`, bench/README.md).
ELSEWHERE_AT = 0.8
# The layer learns every third text of the bank (all languages) against the off-topic messages, each four times: it is
# learnt again after each edit of the bank, so it is kept small (a few seconds).
BANK_SHARE = 3
REPEAT = 4


# Left out of the layer and of the words it may not rely on: food (a diet question, "I had pizza, is that ok", is the
# line's), opening hours and prices (the line's own hours and cost are asked about), and being a real person (a
# caller who wants one). Found by an independent read of the first version, which told those what the line is for.
LAYER_LEAVES_OUT = re.compile(
    r"\b(pizz\w*|recipe|receta|restaurant\w*|taco\w*|taquer\w*|cake|pastel|bake|bread|pan|food|comida|enchiladas?|pozole|"
    r"arroz|potato|open|abiert\w*|close|cierra\w*|horario|hours?|free|gratis|cuesta|cost|price|precio|real|person|persona)\b",
    re.IGNORECASE)


def layer_examples() -> list[str]:
    """The off-topic messages of every language that the layer learns, as its class "elsewhere"."""
    return [text for lists in (OFF_TOPIC, MORE_OFF_TOPIC) for texts in lists.values() for text in texts
            if not LAYER_LEAVES_OUT.search(text)]


class Elsewhere:
    """How likely a message is about nothing the line answers: a two-class layer on the sentence vectors, the bank of
    every language against the off-topic messages of every language (the encoder is multilingual)."""

    def __init__(self, bank: list[str], embedder: Embedder, cache_dir: Path | None = None, train: bool = True) -> None:
        bank = bank[::BANK_SHARE]
        off = layer_examples()
        self.model = SemanticModel(embedder, bank + off * REPEAT, [0] * len(bank) + [1] * (len(off) * REPEAT), 2, cache_dir, train)

    def train(self) -> None:
        """Learn the layer, when it was not found ready."""
        self.model.train()

    def probability(self, vector: np.ndarray) -> float:
        """How likely the message of this sentence vector is about nothing the line answers."""
        return float(self.model.probabilities(vector)[1])
